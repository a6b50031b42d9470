"""Errors named for the rule they break."""

from __future__ import annotations


class MembersError(Exception):
    """Base for member registry rule violations."""


class MemberNotFound(MembersError):
    pass


class EnterpriseNotFound(MembersError):
    pass


class DuplicateUscc(MembersError):
    """A unified social credit code identifies one party only."""
