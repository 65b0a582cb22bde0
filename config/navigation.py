"""Navigation by role, as a context processor.

Each entry names a URL and the roles that see it. Entries whose URL name does not resolve are
skipped, so an app can be switched off without breaking the layout.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ALL = {"province_staff", "district_officer", "agency_officer", "leader", "admin"}
PROVINCE = {"province_staff", "leader", "admin"}

NAV_ITEMS = [
    ("home", _("Việc của tôi"), {"province_staff", "district_officer", "admin"}),
    ("dashboard", _("Tổng quan"), ALL),
    ("communes:district-list", _("Huyện"), ALL),
    ("communes:commune-list", _("Xã"), ALL),
    ("overview:completeness", _("Tiến độ nhập liệu"), ALL),
    ("overview:at-risk", _("Nguy cơ mất chuẩn"), ALL),
    ("communes:targets", _("Chỉ tiêu"), PROVINCE),
    ("criteria:review-queue", _("Chờ duyệt"), {"province_staff", "admin"}),
    ("criteria:my-returned", _("Bị trả lại"), {"district_officer"}),
    ("criteria:excel", _("Nhập Excel"), {"province_staff", "district_officer", "admin"}),
    ("criteria:catalogue", _("Bộ tiêu chí"), ALL),
    ("criteria:period-sets", _("Bộ tiêu chí theo kỳ"), PROVINCE),
    ("ocop:product-list", _("Sản phẩm OCOP"), ALL),
    ("ocop:cycle-board", _("Chu trình OCOP"), ALL),
    ("directives:task-board", _("Nhiệm vụ"), ALL),
    ("directives:my-tasks", _("Nhiệm vụ của cơ quan"), {"agency_officer"}),
    ("directives:document-list", _("Văn bản"), ALL),
    ("directives:recommendation-list", _("Kiến nghị"), ALL),
    ("reports:report-list", _("Báo cáo"), {"province_staff", "district_officer", "leader", "admin"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = getattr(user, "role", None)
    if user.is_superuser:
        role = "admin"
    elif role not in ALL:
        role = "district_officer"  # an officer role the menu does not know (e.g. commune officer): an officer's menu
    counts = {}
    if role == "district_officer":
        from overview.home import returned_count

        counts["criteria:my-returned"] = returned_count(user)
    items = []
    current = request.path
    for url_name, label, roles in NAV_ITEMS:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({
            "url": url, "label": label, "active": current == url or (current.startswith(url) and url != "/"),
            "count": counts.get(url_name, 0),
        })
    return {"nav_items": items}
