from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import services
from .forms import ThrottledAuthenticationForm
from .models import ApiToken


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password ends every API token of the user (and other sessions, as Django does)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.api_tokens_revoke_all(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@require_GET
def token_list(request):
    """The signed-in user's live API tokens (first characters, issued, expires, last used), each revocable."""
    tokens = ApiToken.objects.filter(user=request.user).active(now=timezone.now())
    return render(request, "accounts/token_list.html", {"tokens": tokens})


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke one of the user's own tokens (another user's token is unknown here: 404)."""
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404(_("Không tìm thấy."))
    services.api_token_revoke(token=token)
    messages.success(request, _("Đã thu hồi mã truy cập %(prefix)s….") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


@login_required
@require_POST
def token_revoke_all(request):
    count = services.api_tokens_revoke_all(user=request.user)
    messages.success(
        request, ngettext("Đã thu hồi %(count)d mã truy cập.", "Đã thu hồi %(count)d mã truy cập.", count) % {"count": count}
    )
    return redirect("accounts:tokens")
