"""Incremental figures of the overview (issue 17): one row per period, criteria set and area.

See overview/aggregates.py: the assessment service keeps these rows up to date in the same transaction as
each submit, approve, return, reopen, appraisal and re-evaluation; ``manage.py rebuild_aggregates``
recomputes them from the result records.
"""

from django.db import models
from django.db.models import Q


class AreaFigures(models.Model):
    """The standing (open) result records of one district's xã (or, on a map without districts, of the xã
    directly under one province) for a period and criteria set, summed: per status, the xã per score and
    those with a criterion judged "cơ bản đạt", and per criterion the xã meeting / basically meeting it.

    ``records``, ``closed`` and ``last_change`` describe every record (open or closed) of those xã for the
    period and set: the summary uses these rows only when they match the records (nothing written behind
    the service's back) and no record changed after the frame's cut-off.
    """

    period = models.CharField(max_length=7)
    criteria_set = models.ForeignKey("criteria.CriteriaSet", on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("communes.Province", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("communes.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    records = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    last_change = models.DateTimeField(null=True, blank=True)
    # {"approved": {"scores": {"17": [xã, xã with basically met]}, "met": {"1": xã}, "basic": {"1": xã}}, "submitted": …}
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "criteria_set", "province", "district"], name="one_area_figures"),
            models.UniqueConstraint(
                fields=["period", "criteria_set", "province"], condition=Q(district__isnull=True),
                name="one_province_figures",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.criteria_set_id} {self.province_id}/{self.district_id}"
