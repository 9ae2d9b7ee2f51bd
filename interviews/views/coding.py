"""The coding page of a transcript, its JSON API and its memo panel.

The page renders the text once; codings travel as one compact JSON array and
the page's script paints them. Adding a coding never reads or re-renders the
whole text: the API answers with the new coding only.
"""

import json
from collections import Counter, defaultdict
from contextlib import nullcontext
from functools import wraps
from html import escape

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from .. import access
from ..models import Job, Suggestion, Transcript, UnitScores
from ..services import ServiceError
from ..services.codings import add_coding, delete_coding, update_coding_memo
from ..services.memos import add_memo, delete_memo, update_memo
from ..suggest import picker

# Turns longer than this (in code points) are shown as several blocks, split
# at line breaks, so that repainting one block after a change stays cheap.
BLOCK_SPLIT_AT = 3000
MAX_CODES_AT_ONCE = 50
MAX_DB_ID = 2**63 - 1


@login_required
def transcript_detail(request, project_id, transcript_id):
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id
    )
    context = {
        "access": acc,
        "project": acc.project,
        "transcript": transcript,
        **_page_context(acc, transcript),
        **_memo_context(acc, transcript),
    }
    return render(request, "interviews/transcript_detail.html", context)


# --- Page data ---------------------------------------------------------------


def _page_context(acc, transcript) -> dict:
    """Return the page's text, codings and panels in a fixed number of queries."""
    text = Transcript.objects.filter(pk=transcript.pk).values_list("text", flat=True)
    turns = transcript.turns.order_by("start").values_list(
        "speaker", "start", "end", "start_ms"
    )
    codings = list(
        access.visible_codings(acc)
        .filter(transcript=transcript)
        .order_by("start", "end", "id")
        .values_list("id", "code_id", "coder_id", "start", "end")
    )
    coders = _coders(codings, acc.user_id)
    for coder in coders:  # the reconciled layer (services/agreement.py)
        if coder["id"] == acc.project.consensus_user_id:
            coder["username"] = "Consensus"
    blocks = text_blocks(text.get(), list(turns))
    suggestions = _open_suggestions(acc, transcript)
    scores = _unit_scores(transcript) if suggestions is not None else []
    return {
        "text_html": blocks_html(blocks),
        "has_times": any(b.get("time") for b in blocks),
        "coders": coders,
        "data": {
            **_page_data(acc, transcript, codings, coders),
            "suggestions": suggestions,
            # [[start, end, {code id: score}], ...]: ranks the code picker,
            # as suggest/picker.py does (which the evaluation measures).
            "unit_scores": scores,
            "picker": {"max": picker.MAX, "min_score": picker.MIN_SCORE},
        },
        "shows_suggestions": suggestions is not None,
        "attributes": transcript.attributes.all(),
        "job": transcript.jobs.filter(kind=Job.Kind.SENTENCES)
        .select_related("transcript")
        .defer("transcript__text")
        .first(),
    }


def _unit_scores(transcript) -> list[list]:
    scores = UnitScores.objects.filter(transcript=transcript).values_list(
        "units", flat=True
    )
    return scores.first() or []


def _open_suggestions(acc, transcript) -> list[list] | None:
    """Return [[id, code_id, start, end, score, source], ...] of open suggestions.

    None when the member may not see suggestions (blind mode, not owner):
    they are learned from everyone's coding.
    """
    if acc.sees_only_own_codings:
        return None
    rows = (
        Suggestion.objects.filter(transcript=transcript, status=Suggestion.Status.OPEN)
        .order_by("start", "end", "id")
        .values_list("id", "code_id", "start", "end", "score", "rule", "model__version")
    )
    return [
        [pk, code_id, start, end, round(score, 2), rule or f"model v{version or '?'}"]
        for pk, code_id, start, end, score, rule, version in rows
    ]


def text_blocks(text: str, turns: list[tuple]) -> list[dict]:
    """Cut `text` into display blocks that tile it exactly, in order.

    `turns` are (speaker, start, end, start_ms) rows sorted by start. Each turn
    runs to the next turn's start; text before the first turn is a block
    without a speaker; long turns are split at line breaks. Whitespace at the
    edges of a block becomes a hidden "gap" so that blocks look even while the
    page still holds every character (the script needs them to cut the exact
    selected text).
    """
    segments, pos = [], 0
    for i, (speaker, start, _end, start_ms) in enumerate(turns):
        start = min(max(start, pos), len(text))
        if start > pos:
            segments.append((pos, start, "", None))
        nxt = turns[i + 1][1] if i + 1 < len(turns) else len(text)
        end = min(max(nxt, start), len(text))
        if end > start:
            segments.append((start, end, speaker, start_ms))
        pos = max(pos, end)
    if pos < len(text):
        segments.append((pos, len(text), "", None))
    blocks = []
    for start, end, speaker, start_ms in segments:
        for n, (a, b) in enumerate(_split_long(text, start, end)):
            blocks.extend(_block(text, a, b, speaker if n == 0 else "", start_ms, n))
    return blocks


def blocks_html(blocks: list[dict]) -> str:
    """Return the HTML of the transcript's blocks, every text escaped.

    Built here rather than in the template: a two-hour focus group has
    thousands of blocks, and the template loop alone took most of a second.
    """
    has_times = any(b.get("time") for b in blocks)
    out = []
    for b in blocks:
        span = f'data-start="{b["start"]}" data-end="{b["end"]}"'
        if b["gap"]:
            out.append(f'<span class="gap" {span} hidden>{escape(b["text"])}</span>')
            continue
        if b["label"]:
            span += f' data-ls="{b["label_start"]}" data-le="{b["label_end"]}"'
            text = (
                f'{escape(b["pre"])}<b class="spk">{escape(b["label"])}</b>'
                f"{escape(b['post'])}"
            )
        else:
            text = escape(b["pre"])
        out.append(
            f'<div class="turn{" continued" if b["continued"] else ""}">'
            + (f'<div class="turn-time">{escape(b["time"])}</div>' if has_times else "")
            + '<div class="turn-body">'
            + (
                f'<div class="turn-speaker">{escape(b["speaker"])}</div>'
                if b["speaker"]
                else ""
            )
            + f'<div class="tx" {span}>{text}</div></div></div>\n'
        )
    # Every piece of text above went through escape().
    return mark_safe("".join(out))


def _split_long(text: str, start: int, end: int):
    while end - start > BLOCK_SPLIT_AT:
        cut = text.find("\n", start + BLOCK_SPLIT_AT // 2, end - 1)
        if cut < 0:
            break
        yield start, cut + 1
        start = cut + 1
    yield start, end


def _block(text: str, start: int, end: int, speaker: str, start_ms, n: int):
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    body = chunk.strip()
    if not body:
        return [{"gap": True, "start": start, "end": end, "text": chunk}]
    a, b = start + lead, start + lead + len(body)
    out = (
        [{"gap": True, "start": start, "end": a, "text": chunk[:lead]}] if lead else []
    )
    first_line = body.split("\n", 1)[0]
    at = first_line.find(speaker) if speaker else -1
    label_end = at + len(speaker) if at >= 0 else -1
    out.append(
        {
            "gap": False,
            "start": a,
            "end": b,
            "continued": n > 0,
            "pre": body[: max(at, 0)] if at >= 0 else body,
            "label": body[at:label_end] if at >= 0 else "",
            "post": body[label_end:] if at >= 0 else "",
            "label_start": at,
            "label_end": label_end,
            # A speaker known from the file's structure but not written in
            # the text is shown outside the text.
            "speaker": speaker if speaker and at < 0 else "",
            "time": _clock(start_ms) if n == 0 and start_ms is not None else "",
        }
    )
    if b < end:
        out.append(
            {"gap": True, "start": b, "end": end, "text": chunk[lead + len(body) :]}
        )
    return out


def _clock(ms: int) -> str:
    seconds = ms // 1000
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h}:{m:02}:{s:02}" if h else f"{m}:{s:02}"


def _page_data(acc, transcript, codings: list[tuple], coders: list[dict]) -> dict:
    codes, order = _codebook(acc.project)
    return {
        "project": acc.project.pk,
        "transcript": transcript.pk,
        "me": acc.user_id,
        "can_code": acc.can_code,
        "blind": acc.sees_only_own_codings,
        # [[id, code_id, coder_id, start, end], ...] sorted by start.
        "codings": codings,
        # {id: [name, colour, parent_id, path]}; order: [[id, depth], ...].
        "codes": codes,
        "code_order": order,
        "coders": {c["id"]: c["username"] for c in coders},
    }


def _codebook(project) -> tuple[dict, list]:
    rows = list(project.codes.values_list("id", "name", "colour", "parent_id"))
    by_id = {row[0]: row for row in rows}
    children = defaultdict(list)
    for row in rows:
        children[row[3] if row[3] in by_id else None].append(row[0])
    codes, order = {}, []

    def walk(parent_id, path, depth):
        for code_id in children[parent_id]:
            _, name, colour, parent = by_id[code_id]
            full = f"{path} > {name}" if path else name
            codes[code_id] = [name, colour, parent, full]
            order.append([code_id, depth])
            walk(code_id, full, depth + 1)

    walk(None, "", 0)
    return codes, order


def _coders(codings: list[tuple], me: int) -> list[dict]:
    counts = Counter(row[2] for row in codings)
    users = get_user_model().objects.filter(pk__in={*counts, me})
    return [
        {"id": pk, "username": name, "count": counts[pk], "me": pk == me}
        for pk, name in users.order_by("username").values_list("id", "username")
    ]


# --- JSON API ----------------------------------------------------------------


class BadInput(Exception):
    """A JSON request the API cannot read; str(exc) is shown to the user."""


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def json_api(view):
    """Answer every failure as {"error": ...} JSON; anonymous users get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _error(403, "Sign in first.")
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found, or not shared with you.")
        except PermissionDenied as exc:
            return _error(403, str(exc) or "You may not do this.")
        except (BadInput, ServiceError) as exc:
            return _error(400, str(exc))

    return wrapper


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadInput("The request body must be a JSON object.")
    return body


def _whole(body: dict, name: str) -> int:
    if name not in body:
        raise BadInput(f"Missing field “{name}”.")
    value = body[name]
    # bool is an int in Python and 3.0 would pass int(): refuse both.
    if type(value) is not int:
        raise BadInput(f"“{name}” must be a whole number.")
    return value


def _id(body: dict, name: str) -> int:
    value = _whole(body, name)
    if not 0 < value <= MAX_DB_ID:
        raise Http404(f"No such {name}")
    return value


def _string(body: dict, name: str, *, required: bool = True) -> str:
    if name not in body and not required:
        return ""
    if not isinstance(body.get(name), str):
        raise BadInput(f"“{name}” must be text.")
    return body[name]


def _code_ids(body: dict) -> list[int]:
    if "codes" not in body:
        return [_id(body, "code")]
    ids = body["codes"]
    if not isinstance(ids, list) or not 0 < len(ids) <= MAX_CODES_AT_ONCE:
        raise BadInput(f"“codes” must be a list of 1 to {MAX_CODES_AT_ONCE} ids.")
    ids = [_id({"code": code_id}, "code") for code_id in ids]
    if len(set(ids)) != len(ids):
        raise BadInput("A code is listed twice.")
    return ids


def _compact(coding) -> list[int]:
    return [coding.pk, coding.code_id, coding.coder_id, coding.start, coding.end]


@json_api
def api_coding_create(request, project_id):
    """Code a span with one or several codes; answer 201 with the new codings."""
    if request.method != "POST":
        return _error(405, "Use POST.")
    body = _json_body(request)
    transcript_id, code_ids = _id(body, "transcript"), _code_ids(body)
    start, end = _whole(body, "start"), _whole(body, "end")
    text, memo = _string(body, "text"), _string(body, "memo", required=False)
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id, write=True
    )
    codes = access.get_codes_of_project(acc, code_ids)
    # All of the codes or none; one coding needs no transaction of its own.
    with transaction.atomic() if len(codes) > 1 else nullcontext():
        codings = [
            add_coding(
                coder=request.user,
                transcript=transcript,
                code=code,
                start=start,
                end=end,
                memo=memo,
                expected_text=text,
            )
            for code in codes
        ]
    return JsonResponse({"codings": [_compact(c) for c in codings]}, status=201)


@json_api
def api_coding_detail(request, project_id, coding_id):
    """GET a coding with its text and memo; PATCH {memo} or DELETE your own."""
    if request.method not in ("GET", "PATCH", "DELETE"):
        return _error(405, "Use GET, PATCH or DELETE.")
    write = request.method != "GET"
    acc, coding = access.get_coding_for_user(
        request.user, project_id, coding_id, write=write
    )
    if request.method == "DELETE":
        delete_coding(coding=coding)
        return HttpResponse(status=204)
    if request.method == "PATCH":
        update_coding_memo(coding=coding, memo=_string(_json_body(request), "memo"))
    return JsonResponse(
        {
            "coding": _compact(coding),
            "coder_name": coding.coder.username,
            "text": coding.text,
            "memo": coding.memo,
            "can_edit": acc.can_code and coding.coder_id == acc.user_id,
        }
    )


# --- Transcript memos (htmx fragments; plain POST + redirect without JS) -----


def _memo_context(acc, transcript, error: str = "") -> dict:
    return {
        "memos": access.visible_memos(acc)
        .filter(transcript=transcript)
        .select_related("author"),
        "memo_error": error,
    }


def _memo_panel(request, acc, transcript, *, error="", done=""):
    if request.headers.get("HX-Request"):
        context = {
            "access": acc,
            "project": acc.project,
            "transcript": transcript,
            **_memo_context(acc, transcript, error),
        }
        return render(request, "interviews/_transcript_memos.html", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    url = reverse("transcript_detail", args=[acc.project.pk, transcript.pk])
    return redirect(url + "#memos")


@login_required
@require_POST
def transcript_memo_add(request, project_id, transcript_id):
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id, write=True
    )
    try:
        add_memo(
            project=acc.project,
            author=request.user,
            transcript=transcript,
            text=request.POST.get("text", ""),
        )
    except ServiceError as exc:
        return _memo_panel(request, acc, transcript, error=str(exc))
    return _memo_panel(request, acc, transcript, done="Memo added.")


def _own_transcript_memo(request, project_id, transcript_id, memo_id):
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id, write=True
    )
    _, memo = access.get_memo_for_user(request.user, project_id, memo_id, write=True)
    if memo.transcript_id != transcript.pk:
        raise Http404("No such memo")
    return acc, transcript, memo


@login_required
@require_POST
def transcript_memo_edit(request, project_id, transcript_id, memo_id):
    acc, transcript, memo = _own_transcript_memo(
        request, project_id, transcript_id, memo_id
    )
    try:
        update_memo(memo=memo, text=request.POST.get("text", ""))
    except ServiceError as exc:
        return _memo_panel(request, acc, transcript, error=str(exc))
    return _memo_panel(request, acc, transcript, done="Memo saved.")


@login_required
@require_POST
def transcript_memo_delete(request, project_id, transcript_id, memo_id):
    acc, transcript, memo = _own_transcript_memo(
        request, project_id, transcript_id, memo_id
    )
    delete_memo(memo=memo)
    return _memo_panel(request, acc, transcript, done="Memo deleted.")
