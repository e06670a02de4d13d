"""The product's URLs plus the benchmark's yardsticks: the floor and two lean peers.

The floor is a bare view with no query and no template. The lean peers are what a plain,
hand-written Django page over the same tables costs: a list of the 25 newest decisions the
person may see and one decision with its reviews and addenda, each scoped by the product's
``visible_to``, with ``select_related`` and a one-line template rendered without context
processors, behind the full middleware stack (session, two-step sign-in, CSP and the rest).
``bench/run`` times every product page interleaved with its peer (A B A B) and prints the
ratio; the budgets of issue 19 are ratios to these.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from accounts.access import get_visible_or_404
from decisions.models import Decision
from isa_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from isa_portal.urls import urlpatterns as product_urlpatterns

_LEAN_LIST = engines["django"].from_string(
    "<ul>{% for d in decisions %}<li>{{ d.reference }} {{ d.child }} {{ d.get_status_display }} "
    "{{ d.created|date:'j M Y H:i' }}</li>{% endfor %}</ul>"
)
_LEAN_DETAIL = engines["django"].from_string(
    "<h1>{{ d.reference }} {{ d.child }} {{ d.get_status_display }} {{ d.get_outcome_display }}</h1>"
    "<ul>{% for r in reviews %}<li>{{ r.get_action_display }} {{ r.created|date:'j M Y' }}</li>{% endfor %}"
    "{% for a in addenda %}<li>{{ a.text }} {{ a.created|date:'j M Y' }}</li>{% endfor %}</ul>"
)


def floor(request: HttpRequest) -> HttpResponse:
    """What the stack costs before any page does anything: every middleware, no database."""
    return HttpResponse(b"floor", content_type="text/plain")


@login_required
def lean_list(request: HttpRequest) -> HttpResponse:
    """The 25 newest decisions the person may see, as plain Django would list them."""
    decisions = (
        Decision.objects.visible_to(request.user).select_related("child").order_by("-created", "-id")[:25]
    )
    return HttpResponse(_LEAN_LIST.render({"decisions": decisions}))


@login_required
def lean_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision with its reviews and addenda, as plain Django would show it."""
    decision = get_visible_or_404(Decision.objects.select_related("child"), request.user, pk=pk)
    return HttpResponse(
        _LEAN_DETAIL.render(
            {"d": decision, "reviews": decision.reviews.all(), "addenda": decision.addenda.all()}
        )
    )


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/lean/list/", lean_list, name="bench_lean_list"),
    path("bench/lean/detail/<int:pk>/", lean_detail, name="bench_lean_detail"),
    *product_urlpatterns,
]
