"""The demo dataset (``python manage.py load_demo``) and the scale generator
(``python manage.py generate_registry``).

Plain data lives in ``named`` (bodies named by the source research, national heads of network),
``network`` (regional networks, fictitious firms) and ``profiles`` (what each kind offers); the
writes are in ``loader`` and ``generator``. Nothing here contains a real person's contact.
"""
