"""hall-app bundles dictionary [WORD]: the shared material and form-field dictionaries,
for bundle authors looking up the code to use (docs/bundles.md)."""

from __future__ import annotations

from hall_app.cli.common import UserError, dump_json

STRINGS = {
    "help": "查材料字典和表单字段字典（按编号、名称、类别查找），写套餐文件时用",
    "word": "要找的词，如：身份证、营业执照、phone；不填则列出全部",
    "materials": "材料（{n}）",
    "fields": "表单字段（{n}）",
    "none": "字典中没有“{word}”；可以在 bundles/dictionary/ 中增加（见 docs/bundles.md）",
}


def register(bsub) -> None:
    p = bsub.add_parser("dictionary", help=STRINGS["help"])
    p.add_argument("word", nargs="?", default="", help=STRINGS["word"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dictionary)


def cmd_dictionary(args) -> int:
    from bundles.loader import shipped_dictionary

    dictionary, problems = shipped_dictionary()
    if dictionary is None:
        raise UserError("字典有错误：\n" + "\n".join(str(p) for p in problems), code=1)
    word = args.word.strip().lower()

    def hit(*texts: str | None) -> bool:
        return not word or any(word in (t or "").lower() for t in texts)

    materials = [m for m in dictionary.materials if hit(m.code, m.name, m.category, m.elicence, m.spec)]
    fields = [f for f in dictionary.fields if hit(f.key, f.label, f.prefill)]
    if args.json:
        dump_json({"materials": [m.model_dump() for m in materials], "fields": [f.model_dump() for f in fields]})
        return 0
    if not materials and not fields:
        raise UserError(STRINGS["none"].format(word=args.word), code=1)
    if materials:
        print(STRINGS["materials"].format(n=len(materials)))
        for m in materials:
            extra = f"，电子证照：{m.elicence}" if m.elicence else ""
            print(f"  {m.code:<36} {m.name}（{m.category}，{m.form}{extra}）")
    if fields:
        print(STRINGS["fields"].format(n=len(fields)))
        for f in fields:
            pre = f"，预填：{f.prefill}" if f.prefill else ""
            firm = f"，企业：{f.prefill_firm}" if f.prefill_firm else ""
            print(f"  {f.key:<36} {f.label}（{f.type}{pre}{firm}）")
    return 0
