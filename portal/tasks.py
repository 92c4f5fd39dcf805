from celery import shared_task

from portal import sms


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_sms(sms_id: int) -> bool:
    return sms.deliver(sms_id)
