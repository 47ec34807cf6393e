"""Path parameters that accept a word for the caller: the sentence (readers.prose_aliases), the typed
parameter (resolve.path_aliases) and what the app model and OpenAPI make of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip import api
from roundtrip.emit.app_model import build_model
from roundtrip.ir import Kind, TypeRef
from tests.conftest import example_dir

DOC = """# Lending API

## Data Model

```sql
CREATE TABLE members (id BIGINT PRIMARY KEY, email VARCHAR(255) NOT NULL);
CREATE TABLE loans (id BIGINT PRIMARY KEY, member_id BIGINT NOT NULL REFERENCES members(id));
```

## Endpoints

### GET /members/{{memberId}}/loans

Auth: member. {sentence}

**200 OK**
```json
{{ "data": [{{ "id": 1, "memberId": 2 }}], "total": 1 }}
```
"""


def member_param(tmp_path: Path, sentence: str) -> TypeRef:
    (tmp_path / "api.md").write_text(DOC.format(sentence=sentence), encoding="utf-8")
    spec = api.load(tmp_path / "api.md").spec
    ep = spec.endpoint("GET", "/members/{memberId}/loans")
    assert ep is not None
    return next(p.type for p in ep.parameters if p.name == "memberId")


@pytest.mark.parametrize(
    "sentence",
    [
        "`me` is accepted as `{memberId}`.",
        "`me` is also accepted for `memberId`.",
        "`{memberId}` accepts `me` for the signed-in member.",
        "`{memberId}` can be `me`.",
        "`me` may be used in place of `{memberId}`.",
    ],
)
def test_an_alias_sentence_types_the_path_parameter_as_id_or_word(tmp_path: Path, sentence: str) -> None:
    t = member_param(tmp_path, sentence)
    assert t == TypeRef(
        Kind.UNION, variants=(TypeRef(Kind.INTEGER, bits=64), TypeRef(Kind.LITERAL, literal="me"))
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Routes compare `memberId` (or `me`) with `sub`.",  # names both, states no alias (library §5.3)
        "`me` returns the caller; `memberId` is numeric.",
        "`admin` is accepted as `{memberId}`.",  # not a word for the caller
    ],
)
def test_other_sentences_state_no_alias(tmp_path: Path, sentence: str) -> None:
    assert member_param(tmp_path, sentence).kind is Kind.STRING


def test_several_words_make_an_enum(tmp_path: Path) -> None:
    t = member_param(tmp_path, "`me` is accepted as `{memberId}`; `self` is accepted as `{memberId}` too.")
    assert t.variants[1] == TypeRef(Kind.ENUM, values=("me", "self"))


def test_library_member_paths_take_me_and_the_app_resolves_it_to_the_caller() -> None:
    spec = api.load(example_dir("library")).spec
    aliased = sorted(e.key for e in spec.endpoints for p in e.parameters if p.type.kind is Kind.UNION)
    assert aliased == [
        "GET /members/{memberId}/fines",
        "GET /members/{memberId}/holds",
        "GET /members/{memberId}/loans",
        "PATCH /members/{memberId}",
    ]
    assert not any(c.key.startswith("path_alias.") for c in spec.conventions)  # said once: in the parameters
    doc, _ = api.openapi(spec)
    param = doc["paths"]["/members/{memberId}/fines"]["get"]["parameters"][0]
    assert param["schema"] == {"oneOf": [{"type": "integer", "format": "int64"}, {"const": "me"}]}
    assert param["description"] == "me is accepted as {memberId}"
    model = build_model(spec, doc)
    assert model["operations"]["getMembersByMemberIdFines"]["path_aliases"] == {"memberId": {"me": "caller"}}
    assert "path_aliases" not in model["operations"]["getBooksByBookId"]
