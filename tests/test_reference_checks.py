"""Body references must name rows the caller may see, and a missing referenced row is its documented error.

    POST /v1/projects/{projectId}/tasks  {"assigneeId": <a Globex user>, "labelIds": [<a Globex label>]}
    → 422 INVALID_ASSIGNEE / INVALID_LABEL (API_SPEC.md:632-648, SECURITY.md:81-83), not 201 with another
    tenant's label in this tenant's task; the same for PATCH /v1/tasks/{taskId} (API_SPEC.md:695,708).

    POST /bookings {"roomId": <no such room>} → 404 ROOM_NOT_FOUND (backend-spec.md:549), not the validation error
    about the workspace the room would have given (crud.derive_references).

The error per body field is chosen at generation time (emit.app_reference_errors); appkit.reference_checks looks
the rows up. A synthetic clinic doc says the same in other words.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher

from roundtrip import api
from roundtrip.emit.app import emit_app
from roundtrip.serve import Prepared, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app

# taskboard sample rows (DATA_MODEL.md): Maria owns Acme; Tom and the `copywriting` label belong to Globex
WEB = "0706126a-d88b-463b-97ef-4715cacceeec"
ACME_MEMBER = "5211d3d7-eae0-4de3-bc73-bb62c2b4aa4c"
ACME_LABEL = "d29394fe-0104-4e64-901c-d9f7b8443dba"
GLOBEX_OWNER = "85ceb71b-363c-4125-972f-6284c9c78273"
GLOBEX_LABEL = "7551c468-1d75-4f26-aba8-5585b2f6a64e"


def _operations(specs: Path) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(emit_app(api.load(specs).spec)["app/api_model.json"])["operations"]
    return model


def _app(specs: Path, cache: Path) -> tuple[Prepared, TestClient]:
    p = prepare(specs, cache_root=cache)
    return p, TestClient(import_app(p.out, {"RATE_LIMITS": "false"}), base_url="http://testserver" + p.base_path)


def _code(r: Any) -> str:
    body = r.json()
    err = body.get("error")
    return str(err.get("code") if isinstance(err, dict) else err)


# ---------------------------------------------------------------- taskboard


def test_taskboard_model_names_the_documented_codes() -> None:
    ops = _operations(example_dir("taskboard"))
    create = ops["postV1ProjectsByProjectIdTasks"]["reference_errors"]
    assert create["assigneeId"] == {"status": 422, "code": "INVALID_ASSIGNEE", "message": "Assignee or label not usable", "named": True}
    # the create documents 422 for "Assignee or label"; the label's own code is the update's INVALID_LABEL
    assert create["labelIds"]["code"] == "INVALID_LABEL" and create["labelIds"]["status"] == 422
    patch = ops["patchV1TasksByTaskId"]["reference_errors"]
    assert (patch["assigneeId"]["code"], patch["labelIds"]["code"]) == ("INVALID_ASSIGNEE", "INVALID_LABEL")


@pytest.fixture(scope="module")
def taskboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    _, client = _app(example_dir("taskboard"), tmp_path_factory.mktemp("refs-taskboard"))
    with client:
        r = client.post("/v1/auth/login", json={"email": "maria.chen@acme-robotics.com", "password": "DemoPass123"})
        assert r.status_code == 200, r.text
        yield client, {"Authorization": f"Bearer {r.json()['token']}"}


def test_taskboard_create_refuses_another_tenants_assignee_and_label(taskboard: tuple[TestClient, dict[str, str]]) -> None:
    c, maria = taskboard
    r = c.post(f"/v1/projects/{WEB}/tasks", headers=maria, json={"title": "Cross", "assigneeId": GLOBEX_OWNER})
    assert r.status_code == 422 and _code(r) == "INVALID_ASSIGNEE", r.text
    r = c.post(f"/v1/projects/{WEB}/tasks", headers=maria, json={"title": "Cross", "labelIds": [ACME_LABEL, GLOBEX_LABEL]})
    assert r.status_code == 422 and _code(r) == "INVALID_LABEL", r.text
    r = c.post(f"/v1/projects/{WEB}/tasks", headers=maria, json={"title": "Ghost", "labelIds": [str(uuid.uuid4())]})
    assert r.status_code == 422 and _code(r) == "INVALID_LABEL", r.text  # no such label at all: the same answer
    # nothing of the refused requests was written
    titles = [t["title"] for t in c.get(f"/v1/projects/{WEB}/tasks", headers=maria, params={"limit": 100}).json()["data"]]
    assert "Cross" not in titles and "Ghost" not in titles
    # the caller's own tenant: created, with its label
    r = c.post(f"/v1/projects/{WEB}/tasks", headers=maria, json={"title": "Own", "assigneeId": ACME_MEMBER, "labelIds": [ACME_LABEL]})
    assert r.status_code == 201, r.text
    assert r.json()["assigneeId"] == ACME_MEMBER and [lb["id"] for lb in r.json()["labels"]] == [ACME_LABEL]


def test_taskboard_patch_refuses_another_tenants_assignee_and_label(taskboard: tuple[TestClient, dict[str, str]]) -> None:
    c, maria = taskboard
    r = c.post(f"/v1/projects/{WEB}/tasks", headers=maria, json={"title": "To patch"})
    assert r.status_code == 201, r.text
    task = r.json()["id"]
    r = c.patch(f"/v1/tasks/{task}", headers=maria, json={"assigneeId": GLOBEX_OWNER})
    assert r.status_code == 422 and _code(r) == "INVALID_ASSIGNEE", r.text
    r = c.patch(f"/v1/tasks/{task}", headers=maria, json={"labelIds": [GLOBEX_LABEL]})
    assert r.status_code == 422 and _code(r) == "INVALID_LABEL", r.text
    assert c.get(f"/v1/tasks/{task}", headers=maria).json()["labels"] == []
    r = c.patch(f"/v1/tasks/{task}", headers=maria, json={"assigneeId": ACME_MEMBER, "labelIds": [ACME_LABEL]})
    assert r.status_code == 200 and r.json()["assigneeId"] == ACME_MEMBER, r.text
    r = c.patch(f"/v1/tasks/{task}", headers=maria, json={"assigneeId": None})  # `null` unassigns: nothing to look up
    assert r.status_code == 200 and r.json()["assigneeId"] is None, r.text


# ---------------------------------------------------------------- bookings


def test_bookings_unknown_room_is_room_not_found(tmp_path: Path) -> None:
    assert _operations(example_dir("bookings"))["postBookings"]["reference_errors"]["roomId"]["code"] == "ROOM_NOT_FOUND"
    _, c = _app(example_dir("bookings"), tmp_path)
    with c:
        r = c.post("/auth/register", json={"email": f"o.{uuid.uuid4().hex[:6]}@example.com", "password": "Secret123X", "name": "Owner"})
        assert r.status_code == 201, r.text
        owner = {"Authorization": f"Bearer {r.json()['tokens']['accessToken']}"}
        slot = {"title": "Standup", "startAt": "2030-01-01T09:00:00Z", "endAt": "2030-01-01T09:30:00Z"}
        r = c.post("/bookings", headers=owner, json={"roomId": str(uuid.uuid4()), **slot})
        assert r.status_code == 404 and _code(r) == "ROOM_NOT_FOUND", r.text
        ws = c.post("/workspaces", headers=owner, json={"name": "Lisbon", "timezone": "Europe/Lisbon"}).json()
        room = c.post(f"/workspaces/{ws['id']}/rooms", headers=owner, json={"name": "A", "kind": "meeting_room", "capacity": 4}).json()
        r = c.post("/bookings", headers=owner, json={"roomId": room["id"], **slot})
        assert r.status_code == 201, r.text


# ---------------------------------------------------------------- the same construct in other words

_HASH = PasswordHash((BcryptHasher(),)).hash("Secret123X")

_CLINIC = """# Clinic API

## Data model

```sql
CREATE TABLE clinics (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL
);

CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  clinic_id INTEGER NOT NULL REFERENCES clinics(id),
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(20) NOT NULL DEFAULT 'nurse' CHECK (role IN ('nurse', 'admin'))
);

CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  clinic_id INTEGER NOT NULL REFERENCES clinics(id),
  full_name VARCHAR(100) NOT NULL
);

CREATE TABLE wards (
  id INTEGER PRIMARY KEY,
  name VARCHAR(50) NOT NULL
);

CREATE TABLE symptoms (
  id INTEGER PRIMARY KEY,
  clinic_id INTEGER NOT NULL REFERENCES clinics(id),
  label VARCHAR(50) NOT NULL
);

CREATE TABLE visits (
  id SERIAL PRIMARY KEY,
  clinic_id INTEGER NOT NULL REFERENCES clinics(id),
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  ward_id INTEGER NOT NULL REFERENCES wards(id),
  reason VARCHAR(200) NOT NULL
);

CREATE TABLE visit_symptoms (
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  symptom_id INTEGER NOT NULL REFERENCES symptoms(id),
  PRIMARY KEY (visit_id, symptom_id)
);

INSERT INTO clinics (id, name) VALUES (1, 'North'), (2, 'South');
INSERT INTO staff (id, clinic_id, email, password_hash, role) VALUES
  (1, 1, 'nora@north.example', '{hash}', 'nurse'),
  (2, 2, 'sam@south.example', '{hash}', 'nurse');
INSERT INTO patients (id, clinic_id, full_name) VALUES (1, 1, 'Ada North'), (2, 2, 'Bo South');
INSERT INTO wards (id, name) VALUES (1, 'East wing');
INSERT INTO symptoms (id, clinic_id, label) VALUES (1, 1, 'fever'), (2, 2, 'cough');
```

## Endpoints

#### POST /auth/login
Auth: public

| Field | Type | Required |
|-------|------|----------|
| email | string | yes |
| password | string | yes |

**200 OK**
```json
{{ "accessToken": "eyJ", "user": {{ "id": 1, "email": "nora@north.example", "role": "nurse" }} }}
```

#### POST /visits
Auth: nurse or admin

| Field | Type | Required |
|-------|------|----------|
| patientId | integer | yes |
| wardId | integer | yes |
| reason | string | yes |
| symptomIds | integer[] | no |

**201 Created**
```json
{{ "id": 7, "patientId": 1, "wardId": 1, "reason": "Check-up" }}
```

Errors: `404 PATIENT_UNKNOWN` · `404 WARD_MISSING` · `422 SYMPTOM_INVALID`

#### PATCH /visits/{{visitId}}
Auth: nurse or admin

| Field | Type | Required |
|-------|------|----------|
| patientId | integer | no |
| reason | string | no |

**200 OK**
```json
{{ "id": 7, "patientId": 1, "wardId": 1, "reason": "Check-up" }}
```

Errors: `400 VALIDATION_ERROR` · `404 VISIT_NOT_FOUND`
"""


@pytest.fixture(scope="module")
def clinic_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root: Path = tmp_path_factory.mktemp("clinic")
    (root / "api.md").write_text(_CLINIC.format(hash=_HASH), encoding="utf-8")
    return root


def test_other_words_choose_the_documented_codes(clinic_docs: Path) -> None:
    ops = _operations(clinic_docs)
    create = ops["postVisits"]["reference_errors"]
    assert {k: (v["status"], v["code"]) for k, v in create.items()} == {
        "patientId": (404, "PATIENT_UNKNOWN"), "wardId": (404, "WARD_MISSING"), "symptomIds": (422, "SYMPTOM_INVALID"),
    }
    # the update documents nothing for a patient: the runtime answers the validation error naming the field
    assert "patientId" not in ops.get("patchVisitsByVisitId", {}).get("reference_errors", {})


def test_other_words_at_runtime(clinic_docs: Path, tmp_path: Path) -> None:
    _, c = _app(clinic_docs, tmp_path)
    with c:
        r = c.post("/auth/login", json={"email": "nora@north.example", "password": "Secret123X"})
        assert r.status_code == 200, r.text
        nora = {"Authorization": f"Bearer {r.json()['accessToken']}"}
        r = c.post("/visits", headers=nora, json={"patientId": 2, "wardId": 1, "reason": "x"})  # South's patient
        assert r.status_code == 404 and _code(r) == "PATIENT_UNKNOWN", r.text
        r = c.post("/visits", headers=nora, json={"patientId": 1, "wardId": 1, "reason": "x", "symptomIds": [2]})
        assert r.status_code == 422 and _code(r) == "SYMPTOM_INVALID", r.text
        # wards have no clinic: any ward is usable, but one that does not exist is the documented 404
        r = c.post("/visits", headers=nora, json={"patientId": 1, "wardId": 99, "reason": "x"})
        assert r.status_code == 404 and _code(r) == "WARD_MISSING", r.text
        r = c.post("/visits", headers=nora, json={"patientId": 1, "wardId": 1, "reason": "x", "symptomIds": [1]})
        assert r.status_code == 201, r.text
        visit = r.json()["id"]
        r = c.patch(f"/visits/{visit}", headers=nora, json={"patientId": 2})
        # documented nothing for it: the validation error (this doc's envelope has no details to name the field in)
        assert r.status_code == 400 and _code(r) == "VALIDATION_ERROR", r.text
        r = c.patch(f"/visits/{visit}", headers=nora, json={"reason": "follow-up", "patientId": 1})
        assert r.status_code == 200, r.text
