"""The OpenAPI schema's error answers: every operation documents what it may answer besides success."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

# The shape of every error answer (API.md "Errors"): {"detail": "…"} or field messages {"field": ["…"]}.
ERROR_SCHEMA = {
    "type": "object",
    "description": "{\"detail\": \"…\"} hoặc lỗi theo trường {\"tên trường\": [\"…\"]}",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ (kể cả ký tự điều khiển như NUL)",
    401: "Chưa đăng nhập, mã truy cập sai, hết hạn hoặc đã thu hồi",
    403: "Ngoài phạm vi của người dùng",
    404: "Không tìm thấy",
    409: "Phiên bản đã cũ (version)",
    413: "Yêu cầu quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    423: "Đã khóa (đã phê duyệt)",
    429: "Gửi quá nhiều lần; thử lại sau ``wait`` giây",
}


def error_responses(*codes: int) -> dict:
    """``responses`` entries for ``extend_schema`` documenting these error codes with ERROR_SCHEMA."""
    return {code: OpenApiResponse(ERROR_SCHEMA, description=ERROR_DESCRIPTIONS[code]) for code in codes}


class ApiSchema(AutoSchema):
    """Every operation documents its error answers: 400, 401, 403 and 404 always; 413 and 415 where a body
    is sent. Views add the codes only they answer (409, 423, 429) with ``error_responses``."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [400, 401, 403, 404]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [413, 415]
        for code, response in error_responses(*codes).items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return responses


# Text a client may send: no control characters (config.middleware refuses them with a 400); in bodies,
# tab, line feed and carriage return are allowed (notes).
PARAMETER_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
BODY_MEDIA_TYPES = ("application/json",)


def _has_binary(node, components, seen) -> bool:
    if isinstance(node, dict):
        if node.get("format") == "binary":
            return True
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return False
            seen.add(name)
            return _has_binary(components.get(name, {}), components, seen)
        return any(_has_binary(value, components, seen) for value in node.values())
    if isinstance(node, list):
        return any(_has_binary(item, components, seen) for item in node)
    return False


def _constrain_text(node, components, pattern, seen) -> None:
    """Give every free string of a request schema the pattern (following $ref into request components)."""
    if isinstance(node, list):
        for item in node:
            _constrain_text(item, components, pattern, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _constrain_text(components.get(name, {}), components, pattern, seen)
        return
    types = node.get("type")
    if (types == "string" or (isinstance(types, list) and "string" in types)) and not (
        {"enum", "format", "pattern"} & node.keys()
    ):
        node["pattern"] = pattern
    for key in ("properties", "additionalProperties", "items", "allOf", "anyOf", "oneOf"):
        value = node.get(key)
        if isinstance(value, dict) and key == "properties":
            for child in value.values():
                _constrain_text(child, components, pattern, seen)
        elif value is not None and not isinstance(value, bool):
            _constrain_text(value, components, pattern, seen)


def harden_schema(result, generator, request, public):
    """Postprocessing hook: say in the schema what the app enforces for every operation.

    - string parameters and request fields carry no control characters (``pattern``);
    - a request body without a file is JSON only (API.md: "JSON only"; forms stay accepted for browsers,
      but are not part of the contract).
    """
    components = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _constrain_text(parameter.get("schema", {}), components, PARAMETER_PATTERN, set())
            content = operation.get("requestBody", {}).get("content", {})
            if content and not _has_binary(content, components, set()):
                for media_type in list(content):
                    if media_type not in BODY_MEDIA_TYPES:
                        del content[media_type]
            for body in content.values():
                _constrain_text(body.get("schema", {}), components, TEXT_PATTERN, set())
    return result
