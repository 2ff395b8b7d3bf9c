"""Class and location (Department) tracking against the company's Preferences, with
python-quickbooks over HTTP: a ClassRef or DepartmentRef is refused while its preference
is off, and a missing or inactive class or location is refused with QBO's codes."""

from __future__ import annotations

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects import Account, Bill, Employee, Preferences, TimeActivity, Vendor
from quickbooks.objects.department import Department
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail
from quickbooks.objects.trackingclass import Class

from tests.sandbox.objects import one, ref


def set_prefs(qb, **accounting) -> None:
    prefs = Preferences.get(qb=qb)
    for key, value in accounting.items():
        setattr(prefs.AccountingInfoPrefs, key, value)
    prefs.save(qb=qb)


def bill(qb, class_id=None, department_id=None) -> Bill:
    b = Bill()
    b.VendorRef = ref(one(Vendor, qb, DisplayName="Ace Concrete Supply").Id)
    line = AccountBasedExpenseLine()
    line.Amount = 150
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(one(Account, qb, Name="Job Materials").Id)
    if class_id:
        line.AccountBasedExpenseLineDetail.ClassRef = ref(class_id)
    b.Line = [line]
    if department_id:
        b.DepartmentRef = ref(department_id)
    return b


def time_entry(qb, class_id) -> TimeActivity:
    t = TimeActivity()
    t.NameOf = "Employee"
    t.EmployeeRef = ref(one(Employee, qb, DisplayName="Maria Lopez").Id)
    t.Hours, t.Minutes = 8, 0
    t.ClassRef = ref(class_id)
    return t


def code_of(fn) -> int:
    with pytest.raises(QuickbooksException) as caught:
        fn()
    return caught.value.error_code


def test_class_on_lines_follows_the_class_tracking_preference(qb):
    commercial = one(Class, qb, Name="Commercial")
    prefs = Preferences.get(qb=qb).AccountingInfoPrefs
    assert prefs.ClassTrackingPerTxnLine is True and prefs.TrackDepartments is False
    saved = bill(qb, class_id=commercial.Id).save(qb=qb)
    assert saved.Line[0].AccountBasedExpenseLineDetail.ClassRef.name == "Commercial"

    set_prefs(qb, ClassTrackingPerTxn=False, ClassTrackingPerTxnLine=False)
    with pytest.raises(QuickbooksException) as off:
        bill(qb, class_id=commercial.Id).save(qb=qb)
    assert off.value.error_code == 6000 and "Class tracking is turned off" in off.value.detail
    assert code_of(lambda: time_entry(qb, commercial.Id).save(qb=qb)) == 6000
    assert bill(qb).save(qb=qb).Id                       # without a class it still works

    set_prefs(qb, ClassTrackingPerTxn=True)               # one class per transaction is on too
    assert time_entry(qb, commercial.Id).save(qb=qb).ClassRef.name == "Commercial"


def test_missing_or_inactive_class_is_refused(qb):
    assert code_of(lambda: bill(qb, class_id="999").save(qb=qb)) == 2500
    retired = one(Class, qb, Name="Public Works")
    retired.Active = False
    retired.save(qb=qb)
    with pytest.raises(ObjectNotFoundException) as inactive:
        bill(qb, class_id=retired.Id).save(qb=qb)
    assert inactive.value.error_code == 610
    assert code_of(lambda: time_entry(qb, retired.Id).save(qb=qb)) == 610


def test_departments_are_a_name_list_used_when_location_tracking_is_on(qb):
    west = Department()
    west.Name = "West Region"
    west = west.save(qb=qb)
    yard = Department()
    yard.Name, yard.SubDepartment, yard.ParentRef = "Oakland Yard", True, ref(west.Id)
    yard = yard.save(qb=qb)
    assert yard.FullyQualifiedName == "West Region:Oakland Yard"
    assert [d.Name for d in Department.all(qb=qb)] == ["West Region", "Oakland Yard"]
    duplicate = Department()
    duplicate.Name = "west region"
    assert code_of(lambda: duplicate.save(qb=qb)) == 6240

    with pytest.raises(QuickbooksException) as off:
        bill(qb, department_id=yard.Id).save(qb=qb)
    assert off.value.error_code == 6000 and "Location tracking is turned off" in off.value.detail

    set_prefs(qb, TrackDepartments=True)
    saved = bill(qb, department_id=yard.Id).save(qb=qb)
    assert saved.DepartmentRef.name == "West Region:Oakland Yard"
    assert code_of(lambda: bill(qb, department_id="999").save(qb=qb)) == 2500
    yard.Active = False
    yard.save(qb=qb)
    assert code_of(lambda: bill(qb, department_id=yard.Id).save(qb=qb)) == 610
