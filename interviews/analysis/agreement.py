"""Inter-coder agreement: fixed units, characters of a text, and unitizing.

Pure Python and numpy; nothing here knows about Django. In a notebook::

    from interviews.analysis.agreement import (
        character_agreement, cohen_kappa, krippendorff_alpha, pool,
        unitizing_alpha,
    )

    cohen_kappa(["yes", "no", "yes", "no"], ["yes", "no", "no", "no"])  # 0.5
    krippendorff_alpha([[1, 2, None], [1, 2, 3]], level="interval")    # 1.0

    # Segments on one text: (coder, code, start, end), end exclusive.
    interview_1 = [
        ("ann", "cost", 0, 40), ("ann", "cost", 30, 60),  # merged: 0-60
        ("ben", "cost", 5, 55), ("ben", "trust", 70, 90),
    ]
    results = character_agreement(interview_1, 100, coders=["ann", "ben"])
    cost = results["cost"]
    cost.krippendorff_alpha, cost.coded_by_all, cost.segments  # 0.799, 50, 2
    cost.pairs[("ann", "ben")].cohen_kappa   # 0.8: Cohen's kappa per pair
    cost.exact("cohen_kappa")                # Fraction(4, 5)

    # Pool documents by adding their counts (not by averaging measures).
    interview_2 = [("ann", "cost", 10, 20), ("ben", "cost", 12, 20)]
    other = character_agreement(interview_2, 50, coders=["ann", "ben"])
    pooled = pool([results["cost"], other["cost"]])
    pooled.length, pooled.documents  # 150, 2

    unitizing_alpha(interview_1, 100)["by_code"]["cost"]  # 0.962

Conventions:

* Undefined results (no variation, a single category, nothing pairable) are
  ``None``, never 0, 1 or NaN.
* Everything is counted in integers and divided once at the end; pass
  ``exact=True`` (or call ``exact(name)`` on a result) for a ``Fraction``.
* Segment functions cost time and memory in proportion to the number of
  segments, not to the length of the text.

Fixed units: ``percent_agreement``, ``cohen_kappa``, ``scott_pi``,
``brennan_prediger`` (two coders), ``fleiss_kappa`` (a units x categories
count table), ``krippendorff_alpha`` and ``gwet_ac1`` (coders x units, ``None``
for missing).

Segments: ``character_agreement`` (one unit per character, per code) and
``pool``; ``unitizing_alpha`` (Krippendorff 2004, as in DKPro/INCEpTION);
``u_alpha``, ``binary_u_alpha`` and ``cu_alpha`` (Krippendorff, Mathet,
Bouvry and Widlöcher 2016).
"""

from ._character import (
    CharacterAgreement,
    PairAgreement,
    character_agreement,
    pool,
)
from ._fixed import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from ._unitizing import (
    CuAlpha,
    ValueAlpha,
    binary_u_alpha,
    cu_alpha,
    u_alpha,
    unitizing_alpha,
)

__all__ = [
    "CharacterAgreement",
    "CuAlpha",
    "PairAgreement",
    "ValueAlpha",
    "binary_u_alpha",
    "brennan_prediger",
    "character_agreement",
    "cohen_kappa",
    "cu_alpha",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "pool",
    "scott_pi",
    "u_alpha",
    "unitizing_alpha",
]
