"""Operations: schedules and deployments, approval in the Prefect UI, report files for
finance, notifications, connecting to QuickBooks, several companies.

Each module has one job; none imports Prefect or Great Expectations at module level, so the
CLI verbs that only read files or the staging database stay quick.
"""
