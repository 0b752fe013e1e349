"""Issue test 13: several devices and the server doing random edits, pushes, pulls and
faults. Every committed local event reaches the server exactly once, and all devices
converge when activity stops."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import pytest
from harness import CuttingProxy, enroll, local_events, make_device, projections, server_counts
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from hall_app.services.intake import IntakeError
from hall_app.sync import faults
from hall_app.sync.client import SyncError
from hall_app.sync.core import sync_once

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DEVICES = 3
ACTORS = ("zhangli", "chenjing", "wangqiang")
KEYS = ("name", "phone", "address")
VALUES = ("甲", "乙", "丙")


class Crash(Exception):
    """A device process dying at a failpoint (in-process: its transaction rolls back)."""


def crash() -> None:
    raise Crash()


def machine(engine, proxy: CuttingProxy):
    class SyncMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.tmp = Path(tempfile.mkdtemp(prefix="hall-sm-"))
            self.hall = "H" + secrets.token_hex(3).upper()
            self.devices = [make_device(self.tmp, f"d{i}", hall=self.hall) for i in range(DEVICES)]
            for ctx in self.devices:
                enroll(ctx, engine, proxy.url, scope=f"hall:{self.hall}")

        def known_cases(self, i: int) -> list[str]:
            return sorted(projections(self.devices[i]))

        def sync(self, i: int) -> None:
            try:
                sync_once(self.devices[i])
            except (SyncError, Crash):
                pass
            finally:
                proxy.rules.clear()
                faults.disarm()

        @rule(i=st.integers(0, DEVICES - 1))
        def start_case(self, i):
            self.devices[i].cases.start("newborn", ACTORS[i])

        @rule(i=st.integers(0, DEVICES - 1), data=st.data(), key=st.sampled_from(KEYS),
              value=st.sampled_from(VALUES))
        def edit(self, i, data, key, value):
            cases = self.known_cases(i)
            if not cases:
                return
            case_id = data.draw(st.sampled_from(cases))
            try:
                self.devices[i].cases.set_applicant(case_id, ACTORS[i], key, value)
            except IntakeError:  # voided meanwhile: the service refuses, nothing is written
                pass

        @rule(i=st.integers(0, DEVICES - 1), data=st.data())
        def void(self, i, data):
            cases = self.known_cases(i)
            if cases:
                try:
                    self.devices[i].cases.void(data.draw(st.sampled_from(cases)), ACTORS[i], "重复受理")
                except IntakeError:
                    pass

        @rule(i=st.integers(0, DEVICES - 1))
        def sync_ok(self, i):
            self.sync(i)

        @rule(i=st.integers(0, DEVICES - 1), what=st.sampled_from(["POST /v1/push", "GET /v1/pull"]),
              mode=st.sampled_from(["after_request", "mid_response"]))
        def sync_cut(self, i, what, mode):
            proxy.cut(what, mode)
            self.sync(i)

        @rule(i=st.integers(0, DEVICES - 1),
              point=st.sampled_from(["device-after-push-response", "device-mid-pull-page"]))
        def sync_crash(self, i, point):
            faults.arm(point, crash)
            self.sync(i)

        @invariant()
        def never_doubled(self):
            assert set(server_counts(engine).values()) <= {1}

        def teardown(self):
            try:
                for _ in range(3):  # activity stops; the network is good
                    for ctx in self.devices:
                        sync_once(ctx)
                counts = server_counts(engine)
                for ctx in self.devices:
                    own = local_events(ctx, device_id=ctx.device_id)
                    assert all(counts.get(e.event_id) == 1 for e in own)  # each exactly once
                    assert all(e.sync_state == "sent" for e in own)
                first = projections(self.devices[0])
                for ctx in self.devices[1:]:
                    assert projections(ctx) == first  # converged
                ids = {e.event_id for ctx in self.devices for e in local_events(ctx)}
                assert all({e.event_id for e in local_events(ctx)} == ids for ctx in self.devices)
            finally:
                for ctx in self.devices:
                    ctx.close()
                shutil.rmtree(self.tmp, ignore_errors=True)

    return SyncMachine


def test_random_edits_syncs_and_faults_converge(server_engine, server):
    with CuttingProxy(server.port, cut_at=150) as proxy:
        run_state_machine_as_test(machine(server_engine, proxy), settings=settings(
            max_examples=8, stateful_step_count=18, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck)))
