from django.urls import reverse
def test_x(client, staff_factory):
    user = staff_factory("owner")
    print(client.get("/konto/login/").content.decode().split('<main')[1])
    client.force_login(user)
    print(client.get(reverse("account_logout")).content.decode().split('<main')[1])
