"""Users of a business: their roles and permitted locations."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import BusinessLocation, Role, User
from core.permissions import UnknownPermission, check_names
from core.services.business import admin_role


def user_create(
    *,
    business,
    username: str,
    password: str | None = None,
    admin: bool = False,
    permissions=(),
    location_ids=(),
    all_locations: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    try:
        permissions = check_names(permissions)
    except UnknownPermission as exc:
        raise ValidationError({"permission": str(exc)}) from exc
    if all_locations and "access_all_locations" not in permissions:
        permissions.append("access_all_locations")
    location_ids = list(dict.fromkeys(location_ids))
    locations = list(BusinessLocation.objects.for_business(business).filter(pk__in=location_ids))
    missing = sorted(set(location_ids) - {loc.pk for loc in locations})
    if missing:
        raise ValidationError({"location": f"Not a location of business {business.pk}: {missing}"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is already taken."})

    with transaction.atomic():
        user = User(
            business=business,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=admin,
        )
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        if admin:
            user.roles.add(admin_role(business))
        elif permissions:
            role = Role(business=business, name=_free_role_name(business, f"{username} role"), permissions=permissions)
            role.full_clean()
            role.save()
            user.roles.add(role)
        if locations:
            user.permitted_locations.add(*locations)
    return user


def _free_role_name(business, base: str) -> str:
    name, n = base, 1
    while Role.objects.filter(business=business, name=name).exists():
        n += 1
        name = f"{base} {n}"
    return name
