"""app/schemas.py: how the compiled components are shaped for datamodel-code-generator, and what pydantic
then publishes for them (the served side of test_app_contract's equality, on small made-up documents)."""

from __future__ import annotations

import sys
import time
import types
import uuid
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from roundtrip.emit.app_normalize import normalize_schema
from roundtrip.emit.app_schemas import (
    REF,
    pydantic_schemas,
    schema_classes,
    shape_for_codegen,
    skip_schema_none,
)

EXAM = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": ["string", "null"]},
    },
    "required": ["id", "title", "description"],
}
# an inline object under a property named like a component (`exam` → `Exam`): codegen used to give the
# inline one the name and rename the component to Exam1
ATTEMPT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "exam": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "required": ["id", "exam"],
}
KEY = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"optionIds": {"type": "array", "items": {"type": "string"}}},
            "required": ["optionIds"],
        },
        {
            "type": "object",
            "properties": {
                "accepted": {"type": "array", "items": {"type": "string"}},
                "caseSensitive": {"type": "boolean"},
            },
            "required": ["accepted"],
        },
    ]
}


def doc_with(paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {
            "schemas": {"Exam": EXAM, "ExamDetail": {**EXAM}, "Attempt": ATTEMPT, "AnswerKey": KEY}
        },
    }


def load(code: str) -> types.ModuleType:
    # a registered module, as in the app: pydantic resolves the postponed annotations through sys.modules
    module = types.ModuleType(f"_generated_schemas_{uuid.uuid4().hex}")
    sys.modules[module.__name__] = module
    exec(compile(code, "schemas.py", "exec"), module.__dict__)  # noqa: S102 - our own generated module
    return module


def published(code: str, name: str) -> dict[str, Any]:
    """The JSON schema pydantic publishes for class `name` of the generated module, every $ref inlined."""
    model = getattr(load(code), name)
    schema = (
        model.model_json_schema()
        if isinstance(model, type) and issubclass(model, BaseModel)
        else TypeAdapter(model).json_schema()
    )
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: inline(v) for k, v in node.items()}
        return [inline(v) for v in node] if isinstance(node, list) else node

    return dict(inline(schema))


def compiled(components: dict[str, Any], name: str) -> Any:
    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(components[node["$ref"][len(REF) :]])
            return {k: inline(v) for k, v in node.items()}
        return [inline(v) for v in node] if isinstance(node, list) else node

    return inline(components[name])


def test_inline_objects_are_named_after_their_place_and_components_keep_their_names() -> None:
    shaped = shape_for_codegen(doc_with())
    comps = shaped.components
    assert list(comps)[:4] == ["Exam", "ExamDetail", "Attempt", "AnswerKey"], (
        "documented components first, in order"
    )
    assert comps["Attempt"]["properties"]["exam"] == {"$ref": REF + "AttemptExam"}
    assert comps["AnswerKey"]["oneOf"] == [
        {"$ref": REF + "AnswerKeyVariant1"},
        {"$ref": REF + "AnswerKeyVariant2"},
    ]
    assert comps["Attempt"]["properties"]["tags"].get("x-uniqueItems") is True
    code = pydantic_schemas(comps, "test")
    assert {"Exam", "Attempt", "AttemptExam", "AnswerKey", "AnswerKeyVariant2"} <= schema_classes(code, comps)
    assert "class Exam1" not in code
    assert normalize_schema(published(code, "Exam")) == normalize_schema(EXAM)
    assert normalize_schema(published(code, "Attempt")) == normalize_schema(ATTEMPT), (
        "uniqueItems and the inline object survive"
    )
    # an optional field of an inline object is not published as nullable
    assert normalize_schema(published(code, "AnswerKey")) == normalize_schema(KEY)


def test_unique_items_are_published_and_enforced() -> None:
    comps = shape_for_codegen(doc_with()).components
    attempt = load(pydantic_schemas(comps, "test")).Attempt
    assert attempt.model_validate({"id": "a", "exam": {"id": "e"}, "tags": ["x", "y"]}).tags == ["x", "y"], (
        "order kept"
    )
    with pytest.raises(ValidationError, match="items must be unique"):
        attempt.model_validate({"id": "a", "exam": {"id": "e"}, "tags": ["x", "x"]})
    assert attempt.model_json_schema()["properties"]["tags"]["uniqueItems"] is True


def test_a_composite_body_becomes_a_component_the_operation_refers_to() -> None:
    union = {"oneOf": [{"$ref": REF + "ExamDetail"}, {"$ref": REF + "Exam"}]}
    paths = {
        "/exams/{id}": {
            "get": {
                "operationId": "getExamsById",
                "responses": {"200": {"content": {"application/json": {"schema": union}}}},
            },
            "put": {
                "operationId": "putExamsById",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": REF + "Exam"}}}},
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}
                            }
                        }
                    }
                },
            },
        }
    }
    doc = doc_with(paths)
    shaped = shape_for_codegen(doc)
    get = shaped.doc["paths"]["/exams/{id}"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "GetExamsById200Response"
    }
    put = shaped.doc["paths"]["/exams/{id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": REF + "Exam"}, (
        "a plain $ref stays"
    )
    assert "$ref" not in put["responses"]["200"]["content"]["application/json"]["schema"], (
        "a self-contained schema stays inline"
    )
    assert (
        doc["paths"]["/exams/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        == union
    ), "input untouched"
    code = pydantic_schemas(shaped.components, "test")
    assert "GetExamsById200Response" in schema_classes(code, shaped.components)
    assert normalize_schema(published(code, "GetExamsById200Response")) == normalize_schema(
        compiled(shaped.components, "GetExamsById200Response")
    )


def test_a_synthetic_name_never_shadows_a_documented_component() -> None:
    doc = doc_with()
    doc["components"]["schemas"]["AttemptExam"] = {"type": "string"}
    shaped = shape_for_codegen(doc)
    assert shaped.components["AttemptExam"] == {"type": "string"}
    assert shaped.components["Attempt"]["properties"]["exam"] == {"$ref": REF + "AttemptExam2"}


def test_skip_schema_none_handles_non_ascii_and_stays_linear() -> None:
    comps = {
        "M": {
            "type": "object",
            "properties": {
                "naïve": {"type": "string", "description": "ü"},
                "n": {"type": "integer", "minimum": 0},
            },
        }
    }
    code = pydantic_schemas(comps, "test")
    assert "SkipJsonSchema[None]" in code and "Annotated[int, Field(ge=0)] | SkipJsonSchema[None]" in code
    assert normalize_schema(published(code, "M")) == normalize_schema(comps["M"])
    # 2,000 classes of 10 optional fields: quadratic segment lookups took minutes here, linear ones well under a second
    fields = "\n".join(
        f"    f{j}: Annotated[int | None, Field(alias='f{j}', ge=0)] = None" for j in range(10)
    )
    many = "\n\n".join(f"class C{i}(BaseModel):\n{fields}" for i in range(2000))
    comps = {
        f"C{i}": {"type": "object", "properties": {f"f{j}": {"type": "integer"} for j in range(10)}}
        for i in range(2000)
    }
    started = time.perf_counter()
    out = skip_schema_none("from pydantic import BaseModel, Field\n\n" + many + "\n", comps)
    assert time.perf_counter() - started < 20
    assert out.count("SkipJsonSchema[None]") == 20000
