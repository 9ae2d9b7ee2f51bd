from django.db import transaction

from ..models import Membership, Project
from . import ServiceError


@transaction.atomic
def create_project(*, owner, name: str, description: str = "") -> Project:
    """Create a project owned by `owner`."""
    project = Project.objects.create(name=name, description=description)
    Membership.objects.create(project=project, user=owner, role=Membership.Role.OWNER)
    return project


def add_member(*, project: Project, user, role: str) -> Membership:
    """Give `user` a role in the project, or change the role they have."""
    if role not in Membership.Role.values:
        raise ServiceError("Unknown role.")
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        _keep_an_owner(membership, new_role=role)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(*, membership: Membership) -> None:
    """Remove someone from a project; their codings stay, attributed to them."""
    _keep_an_owner(membership, new_role=None)
    membership.delete()


def _keep_an_owner(membership: Membership, *, new_role) -> None:
    if membership.role != Membership.Role.OWNER or new_role == Membership.Role.OWNER:
        return
    owners = Membership.objects.filter(
        project_id=membership.project_id, role=Membership.Role.OWNER
    )
    if owners.count() <= 1:
        raise ServiceError("A project needs at least one owner.")
