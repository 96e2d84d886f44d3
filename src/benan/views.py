"""Project-level pages: the home page, which sends every logged-in user to their own region's
dashboard (supervision:dashboard, where the enterprise counts of the old home page now sit), and
`scope_label`, the user's data scope in words (the API's dashboard says it too).

Imports from core only.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from benan.core.models import GOVERNMENT_ROLES, Role


def scope_label(user) -> str:
    """What the user's data scope is, in words: "成都市武侯区", "本企业（…）", "全部"."""
    if user.is_admin:
        return "全部（系统管理员）"
    if user.role == Role.ENTERPRISE:
        return f"本企业（{user.enterprise.name}）" if user.enterprise_id else "本企业"
    if user.role in GOVERNMENT_ROLES and user.region_id:
        return user.region.full_name
    return "无"


@login_required
def home(request):
    return redirect("supervision:dashboard")
