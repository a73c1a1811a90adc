"""Template filters: masking for lists."""

from django import template

from loopdesk.core.masking import mask_name, mask_phone

register = template.Library()
register.filter("mask_name", mask_name)
register.filter("mask_phone", mask_phone)
