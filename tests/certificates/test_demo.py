import datetime

from django.core.management import call_command

from certificates import demo, selectors
from certificates.models import Certificate, CertificateType
from certificates.verification import verify_certificate
from portal.models import User


def test_the_demo_fills_the_citizens_wallet_and_is_idempotent(db, capsys):
    call_command("demo")
    call_command("demo")
    assert CertificateType.objects.count() >= 10
    wallet = selectors.wallet(User.objects.get(email="citizen@demo.onewindow"))
    assert wallet.filter(holder_code_type="111").count() == 9  # eight person types, one renewed
    # his company's, as representative: two from the certificate demo, one the demo food
    # licence application was approved with (services/demo_applications.py)
    assert wallet.filter(holder_code_type="001").count() == 3
    assert all(verify_certificate(c).genuine for c in Certificate.objects.all())
    assert "certificate types" in capsys.readouterr().out


def test_the_demo_loads_again_on_a_later_day(db, monkeypatch):
    call_command("demo")
    tomorrow = demo._today() + datetime.timedelta(days=1)
    monkeypatch.setattr(demo, "_today", lambda: tomorrow)
    call_command("demo")  # its dates are relative to the day: the earlier load is kept
    assert Certificate.objects.filter(version=2).count() == 1
