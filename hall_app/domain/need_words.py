"""The words of a need (智能导办): how the query and every bundle term are normalised
alike before they are matched (hall_app/domain/need_search.py): half-width, lower case, no
punctuation, regional words folded to one form, filler words dropped; and the parts of a
bundle's name that count as terms of their own."""

from __future__ import annotations

import re

from hall_app.domain.text import clean, to_halfwidth

# Words that carry no need: removed from the query and from every term alike.
FILLER_WORDS = ("怎么办", "怎么样", "怎么", "咋个", "咋办", "如何", "哪里", "在哪", "需要", "什么", "啥子",
                "手续", "材料", "办理", "一下", "请问", "咨询", "可以", "能不能", "应该", "哪些", "申请",
                "一件事", "你好", "我们", "我家", "家里")
FILLER_CHARS = frozenset("我要想办个了的吗呢啊吧把给在和与及啥咋哦嘛呀得")
# Regional and everyday words folded to one form on both sides (Chongqing: 娃儿 child,
# 老汉 father, 屋头 at home, 扯证 get the marriage licence, 整/搞 do).
SAME_WORDS = (("小孩子", "孩子"), ("小孩儿", "孩子"), ("小朋友", "孩子"), ("娃娃", "孩子"), ("娃儿", "孩子"),
              ("小孩", "孩子"), ("小娃", "孩子"), ("宝宝", "孩子"), ("儿子", "孩子"), ("女儿", "孩子"),
              ("娃", "孩子"), ("老汉", "爸"), ("老爸", "爸"), ("爸爸", "爸"), ("父亲", "爸"), ("老爹", "爸"),
              ("老妈", "妈"), ("妈妈", "妈"), ("母亲", "妈"), ("屋头", "家里"), ("屋里", "家里"), ("扯", "领"),
              ("整", "办"), ("搞", "办"), ("晓得", "知道"),
              ("欠债", "债务"), ("欠钱", "债务"))
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

def normalise(text: str) -> str:
    """Half-width, lower case, punctuation and blanks removed (typed words): for
    matching only (free text as stored keeps its full-width characters)."""
    return _PUNCT.sub("", to_halfwidth(clean(text)).lower())


def strip_fillers(text: str) -> str:
    """Fold regional words to one form, then drop filler words (both sides of a match)."""
    for word, same in SAME_WORDS:
        text = text.replace(word, same)
    for word in FILLER_WORDS:
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch not in FILLER_CHARS)


def name_parts(name: str) -> list[str]:
    """我要开火锅店（个体户） → 我要开火锅店（个体户）, 开火锅店, 火锅店, 个体户."""
    parts = [name]
    inner = re.findall(r"[（(]([^）)]+)[）)]", name)
    base = re.sub(r"[（(][^）)]*[）)]", "", name).replace("“", "").replace("”", "")
    for candidate in (base, base.removeprefix("我要"), base.removeprefix("我要").removeprefix("开办"),
                      base.removeprefix("我要").removeprefix("开")):
        if candidate and candidate not in parts:
            parts.append(candidate)
    return parts + [p for p in inner if p not in parts]
