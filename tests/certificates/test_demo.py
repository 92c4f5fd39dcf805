from django.core.management import call_command

from certificates.models import Certificate, CertificateType
from certificates.verification import verify_certificate


def test_the_demo_fills_the_citizens_wallet_and_is_idempotent(db, capsys):
    call_command("demo")
    call_command("demo")
    assert CertificateType.objects.count() >= 10
    certificates = Certificate.objects.filter(holder_user__email="citizen@demo.onewindow")
    assert certificates.count() == 9  # eight person types, one renewed
    assert Certificate.objects.filter(holder_organisation__isnull=False).count() == 2
    assert all(verify_certificate(c).genuine for c in Certificate.objects.all())
    assert "certificate types" in capsys.readouterr().out
