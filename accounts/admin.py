from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_staff"]
    search_fields = ["username", "full_name", "email", "id_number"]
    inlines = [MembershipInline]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ["full_name", "id_number", "phone"]}),
    ]
