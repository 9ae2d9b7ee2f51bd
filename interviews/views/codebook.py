"""The codebook page, a code's own page (edit, delete or merge, memos).

Everyone in the project reads the codebook; only owners change its
structure; coders (and owners) write memos about codes. Plain forms and
POST-redirect-GET, no script.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import access
from ..forms import CodeEditForm, CodeForm, CodeMergeForm
from ..models import Code
from ..services import ServiceError
from ..services.codebook import (
    code_tree,
    create_code,
    delete_code,
    descendant_ids,
    merge_code,
    reorder_code,
    update_code,
)
from ..services.memos import add_memo, delete_memo, update_memo
from ..services.suggestions import RULE_FIELD_LABELS, rules_text


def _project_code(acc, code_id) -> Code | None:
    """Return the project's code with this id (None for None), else 404."""
    if code_id is None:
        return None
    code = Code.objects.filter(project=acc.project, pk=code_id).first()
    if code is None:
        raise Http404("No such code")
    return code


def _codebook_url(project_id, code=None) -> str:
    url = reverse("codebook", args=[project_id])
    return f"{url}#code-{code.pk}" if code else url


def _detail_url(code, anchor="") -> str:
    return reverse("code_detail", args=[code.project_id, code.pk]) + anchor


@login_required
def codebook(request, project_id):
    adding = request.method == "POST"
    acc = access.get_project_for_user(request.user, project_id, owner=adding)
    tree = code_tree(acc.project, codings=access.visible_codings(acc))
    form = CodeForm(request.POST if adding else None, tree=tree)
    if adding and form.is_valid():
        data = form.cleaned_data
        try:
            code = create_code(
                project=acc.project,
                name=data["name"],
                parent=_project_code(acc, data["parent"]),
                definition=data["definition"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Added “{code.name}”.")
            return redirect(_codebook_url(project_id, code))
    context = {"access": acc, "project": acc.project, "tree": tree, "form": form}
    return render(request, "interviews/codebook.html", context)


def _detail_page(request, acc, code, form=None, *, status=200, **rules_context):
    tree = code_tree(acc.project, codings=access.visible_codings(acc))
    node = next(c for c in tree if c.pk == code.pk)
    below = descendant_ids(code) | {code.pk} if acc.is_owner else set()
    others = [c for c in tree if c.pk not in below]
    if acc.is_owner and form is None:
        initial = {
            "name": code.name,
            "parent": code.parent_id,
            "definition": code.definition,
            "colour": code.colour,
        }
        form = CodeEditForm(initial=initial)
    if form is not None:
        form.set_tree(others)
    rules = rules_context.get("rules_texts") or rules_text(code)
    context = {
        "access": acc,
        "project": acc.project,
        "code": node,
        "children": [c for c in tree if c.parent_id == code.pk],
        "memos": list(code.memos.select_related("author")),
        "form": form,
        "merge_form": CodeMergeForm(tree=others) if acc.is_owner else None,
        # Suggestion rules (views/suggestions.py fills these on a preview).
        "rules_fields": [
            (kind, label, rules.get(kind, ""))
            for kind, label in RULE_FIELD_LABELS.items()
        ],
        "has_rules": any(rules.values()),
        "rules_preview": rules_context.get("rules_preview"),
        "rules_error": rules_context.get("rules_error", ""),
    }
    return render(request, "interviews/codebook_code.html", context, status=status)


@login_required
def code_detail(request, project_id, code_id):
    editing = request.method == "POST"
    acc, code = access.get_code_for_user(
        request.user, project_id, code_id, owner=editing
    )
    if not editing:
        return _detail_page(request, acc, code)
    form = CodeEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            update_code(
                code=code,
                name=data["name"],
                definition=data["definition"],
                colour=data["colour"],
                parent=_project_code(acc, data["parent"]),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved “{code.name}”.")
            return redirect(_codebook_url(project_id, code))
    return _detail_page(request, acc, code, form)


@login_required
@require_POST
def code_move(request, project_id, code_id):
    acc, code = access.get_code_for_user(request.user, project_id, code_id, owner=True)
    try:
        reorder_code(code=code, direction=request.POST.get("direction", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(_codebook_url(project_id, code))


@login_required
@require_POST
def code_delete(request, project_id, code_id):
    acc, code = access.get_code_for_user(request.user, project_id, code_id, owner=True)
    try:
        delete_code(code=code)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_detail_url(code, "#delete"))
    messages.success(request, f"Deleted “{code.name}”.")
    return redirect(_codebook_url(project_id))


@login_required
@require_POST
def code_merge(request, project_id, code_id):
    acc, code = access.get_code_for_user(request.user, project_id, code_id, owner=True)
    form = CodeMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the code to merge into.")
        return redirect(_detail_url(code, "#delete"))
    target = _project_code(acc, form.cleaned_data["target"])
    try:
        result = merge_code(source=code, target=target)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_detail_url(code, "#delete"))
    messages.success(request, merge_message(code, target, result))
    # No anchor: the summary (with the duplicates dropped) shows at the top.
    return redirect(_codebook_url(project_id))


def merge_message(source, target, result) -> str:
    def n(count, word):
        return f"{count} {word}" if count == 1 else f"{count} {word}s"

    parts = [f"{n(result.codings_moved, 'coding')} moved"]
    if result.duplicates_dropped:
        parts.append(f"{n(result.duplicates_dropped, 'duplicate coding')} dropped")
    if result.memos_moved:
        parts.append(f"{n(result.memos_moved, 'memo')} moved")
    if result.children_moved:
        parts.append(f"{n(result.children_moved, 'sub-code')} moved")
    if result.codes_merged > 1:
        parts.append(f"{n(result.codes_merged - 1, 'same-named sub-code')} merged")
    return f"Merged “{source.name}” into “{target.name}”: {', '.join(parts)}."


# --- Memos on a code -------------------------------------------------------------


@login_required
@require_POST
def code_memo_add(request, project_id, code_id):
    acc, code = access.get_code_for_user(request.user, project_id, code_id, write=True)
    try:
        add_memo(
            project=acc.project,
            author=request.user,
            code=code,
            text=request.POST.get("text", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Memo added.")
    return redirect(_detail_url(code, "#memos"))


def _own_code_memo(request, project_id, code_id, memo_id):
    _, code = access.get_code_for_user(request.user, project_id, code_id, write=True)
    _, memo = access.get_memo_for_user(request.user, project_id, memo_id, write=True)
    if memo.code_id != code.pk:
        raise Http404("No such memo")
    return code, memo


@login_required
@require_POST
def code_memo_edit(request, project_id, code_id, memo_id):
    code, memo = _own_code_memo(request, project_id, code_id, memo_id)
    try:
        update_memo(memo=memo, text=request.POST.get("text", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Memo saved.")
    return redirect(_detail_url(code, "#memos"))


@login_required
@require_POST
def code_memo_delete(request, project_id, code_id, memo_id):
    code, memo = _own_code_memo(request, project_id, code_id, memo_id)
    delete_memo(memo=memo)
    messages.success(request, "Memo deleted.")
    return redirect(_detail_url(code, "#memos"))
