"""Every view states who may use it, and each role gets exactly the access it should."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login

ROLES = ("anonymous", "learner", "trainer", "hr", "admin")
LOGIN_REDIRECT = 302

# endpoint: (method, path, {role: expected status})
LEARNER_PAGE = {"anonymous": LOGIN_REDIRECT, "learner": 200, "trainer": 200, "hr": 200,
                "admin": 200}  # fmt: skip
ADMIN_PAGE = {"anonymous": LOGIN_REDIRECT, "learner": 403, "trainer": 403, "hr": 403,
              "admin": 200}  # fmt: skip
PUBLIC_PAGE = dict.fromkeys(ROLES, 200)
LEARNER_ACTION = {**dict.fromkeys(ROLES, 302)}  # done, then redirected; anonymous to the login
LOGGED_IN_REDIRECT = {**PUBLIC_PAGE, "learner": 302, "trainer": 302, "hr": 302, "admin": 302}
MATRIX = {
    "courses.catalogue": ("GET", "/courses/", PUBLIC_PAGE),
    "courses.course": ("GET", "/courses/alpha/", PUBLIC_PAGE),
    "courses.course_file": ("GET", "/courses/alpha/files/images/diagram.png", PUBLIC_PAGE),
    "courses.lesson": ("GET", "/courses/alpha/lessons/first", LEARNER_PAGE),
    "courses.my_learning": ("GET", "/my/learning", LEARNER_PAGE),
    "courses.enrol": ("POST", "/courses/alpha/enrol", LEARNER_ACTION),
    "courses.complete": ("POST", "/courses/alpha/lessons/first/complete", LEARNER_ACTION),
    "courses.index": ("GET", "/", dict.fromkeys(ROLES, 302)),
    "auth.login": ("GET", "/login", LOGGED_IN_REDIRECT),
    "auth.logout": ("POST", "/logout", dict.fromkeys(ROLES, 302)),
    "auth.language": ("POST", "/language", dict.fromkeys(ROLES, 302)),
    "admin.users": ("GET", "/admin/users", ADMIN_PAGE),
    "admin.user_new": ("GET", "/admin/users/new", ADMIN_PAGE),
    "admin.user_edit": ("GET", "/admin/users/{user}", ADMIN_PAGE),
    "admin.user_deactivate": (
        "POST",
        "/admin/users/{user}/deactivate",
        {**ADMIN_PAGE, "admin": 302},
    ),
}
ADMIN_PAGE = {"anonymous": LOGIN_REDIRECT, "learner": 403, "trainer": 403, "hr": 403, "admin": 200}
PUBLIC_PAGE = dict.fromkeys(ROLES, 200)
MATRIX = {
    "courses.catalogue": ("GET", "/courses/", PUBLIC_PAGE),
    "courses.course": ("GET", "/courses/alpha/", PUBLIC_PAGE),
    "courses.course_file": ("GET", "/courses/alpha/files/images/diagram.png", PUBLIC_PAGE),
    "courses.lesson": ("GET", "/courses/alpha/lessons/first", LEARNER_PAGE),
    "courses.my_learning": ("GET", "/my/learning", LEARNER_PAGE),
    "courses.enrol": (
        "POST",
        "/courses/alpha/enrol",
        {**LEARNER_PAGE, "learner": 302, "trainer": 302, "hr": 302, "admin": 302},
    ),
    "courses.complete": (
        "POST",
        "/courses/alpha/lessons/first/complete",
        {**LEARNER_PAGE, "learner": 302, "trainer": 302, "hr": 302, "admin": 302},
    ),
    "courses.index": ("GET", "/", dict.fromkeys(ROLES, 302)),
    "auth.login": (
        "GET",
        "/login",
        {**PUBLIC_PAGE, "learner": 302, "trainer": 302, "hr": 302, "admin": 302},
    ),
    "auth.logout": ("POST", "/logout", dict.fromkeys(ROLES, 302)),
    "auth.language": ("POST", "/language", dict.fromkeys(ROLES, 302)),
    "admin.users": ("GET", "/admin/users", ADMIN_PAGE),
    "admin.user_new": ("GET", "/admin/users/new", ADMIN_PAGE),
    "admin.user_edit": ("GET", "/admin/users/{user}", ADMIN_PAGE),
    "admin.user_deactivate": (
        "POST",
        "/admin/users/{user}/deactivate",
        {**ADMIN_PAGE, "admin": 302},
    ),
}


def test_every_view_is_in_the_matrix_and_declares_its_access(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX), "add new views to MATRIX with the access each role has"
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        assert getattr(view, "is_public", False) or getattr(view, "required_roles", None), endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_access_it_should(client, courses, make_user, role):
    target = make_user(full_name="Target")
    if role != "anonymous":
        login(client, make_user(roles=set() if role == "learner" else {role}))
    failures = []
    for endpoint, (method, path, expected) in MATRIX.items():
        url = path.format(user=target)
        if method == "GET":
            status = client.get(url).status_code
        else:
            data = {"csrf_token": csrf_token(client), "language": "en"}
            status = client.post(url, data=data).status_code
        if status != expected[role]:
            failures.append(f"{endpoint} {url}: {status}, expected {expected[role]}")
        if endpoint == "auth.logout" and role != "anonymous":
            login(client, make_user(roles=set() if role == "learner" else {role}))
    assert failures == []
