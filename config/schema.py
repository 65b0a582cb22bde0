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
