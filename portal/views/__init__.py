"""The web pages, one module per audience: ``public`` (anyone), ``citizen``
(applicants), ``officer`` (desk, specialists, heads, signers) and
``dashboard`` (KPIs for leaders). Each module lists its own ``urlpatterns``."""
