"""The login page, logging out, and the redirect of anonymous visitors."""

from django.urls import reverse

from tests.conftest import PASSWORD


def test_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户名" in text and "密码" in text and "登录" in text


def test_it_logs_in_and_lands_on_the_home_page(client, wuhou_inspector):
    response = client.post(reverse("login"), {"username": "wuhou-inspector", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_bad_password_shows_the_chinese_error(client, wuhou_inspector):
    response = client.post(reverse("login"), {"username": "wuhou-inspector", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    for url in (
        reverse("home"), reverse("enterprises:list"), reverse("enterprises:create"),
        reverse("enterprises:detail", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url


def test_logout_is_a_post_form(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert f'action="{reverse("logout")}"' in page and "退出" in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
