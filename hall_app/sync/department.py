"""A department system's HTTP client for its inbox on the central server (inbox.py):
fetch packages, acknowledge, report results and post-checks. Errors are SyncError
with the server's Chinese message, as for the hall devices' client."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hall_app.sync.client import ServerClient


class DepartmentClient(ServerClient):
    def __init__(self, base_url: str, token: str, department: str, **kwargs):
        super().__init__(base_url, token, **kwargs)
        self.department = department

    def _base(self) -> str:
        return f"/v1/departments/{quote(self.department, safe='')}"

    def inbox(self, after: int = 0, limit: int = 50, pending: bool = False) -> dict[str, Any]:
        params = {"after": after, "limit": limit} | ({"pending": "true"} if pending else {})
        return self._call("GET", f"{self._base()}/inbox", params=params)

    def package(self, case: str) -> dict[str, Any]:
        return self._call("GET", f"{self._base()}/packages/{quote(case, safe='')}")

    def ack(self, case: str) -> dict[str, Any]:
        return self._call("POST", f"{self._base()}/packages/{quote(case, safe='')}/ack")

    def result(self, case_id: str, item: str, status: str, note: str = "", document: str = "",
               result_id: str = "") -> dict[str, Any]:
        return self._call("POST", "/v1/results", json={"case_id": case_id, "item": item, "status": status,
                                                       "note": note, "document": document, "result_id": result_id})

    def check(self, case_id: str, item: str, result: str, note: str = "", check_id: str = "") -> dict[str, Any]:
        return self._call("POST", f"{self._base()}/checks", json={"case_id": case_id, "item": item, "result": result,
                                                                 "note": note, "check_id": check_id})
