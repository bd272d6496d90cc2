"""The rule playground: ``claimscrub rules serve`` (a local page to edit a rule beside a claim).

``server`` serves the page and its JSON API on 127.0.0.1; ``paths`` keeps every file it reads or
writes inside the served rule directory; ``check`` runs lint, the rule's own test cases and a
scrub of the claim through the same functions as ``rules lint``, ``rules test`` and ``scrub``;
``sandbox`` runs each check in a forked child, so a durable-rules crash or a slow rule costs that
one check, never the server.
"""
