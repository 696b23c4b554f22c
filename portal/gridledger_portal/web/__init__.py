"""The portal's web pages: server-rendered Jinja2 templates, static files served by the portal
(no CDN, no inline script; ``Content-Security-Policy: default-src 'self'``), English and
Simplified Chinese from one message catalogue (``i18n``)."""
