"""Development data: the demo partnership (``manage.py seed_demo``) and the synthetic partnership at
scale (``manage.py generate_volume``).

Not part of the product: a deployment does not install this app (``DEV_DATA``, off unless
``DEBUG`` is on; see the README's configuration table), so neither command exists there and
the generator's marker table is not in its schema. Both write through the product's own code:
the demo through its services, the generator (which bulk-loads for speed) through its rules
(``decisions.rules``) and its audit chain (``audit.chain``).
"""
