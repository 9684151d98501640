"""The alert pipeline as its own service: routing, planning, rendering, and the tick that runs them.

- :mod:`bot.alerts.routing`: which servers and users want a new item;
- :mod:`bot.alerts.plan`: pure planning of deliveries, one alert per story and stage;
- :mod:`bot.alerts.render`: what an alert shows;
- :mod:`bot.alerts.pipeline`: the poll tick (ingest → plan → outbox) with crash recovery.
"""
