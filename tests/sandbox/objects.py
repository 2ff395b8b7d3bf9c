"""Small helpers the sandbox tests share for python-quickbooks objects."""

from __future__ import annotations

from quickbooks.objects.base import Ref


def ref(value) -> Ref:
    """A reference to an object by its Id."""
    r = Ref()
    r.value = str(value)
    return r


def one(cls, qb, **where):
    """The one object of `cls` matching `where` (the test fails if there are none or several)."""
    found = cls.filter(qb=qb, **where)
    assert len(found) == 1, where
    return found[0]
