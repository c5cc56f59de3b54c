"""Django's Redis cache, keeping one client per connection pool.

Django builds a new `redis.Redis` for every cache operation, and building one fills its table of response
callbacks: about half a millisecond a time on these machines, paid by every request that reads a session or a
throttle. A client is safe to share between threads (each command takes a connection from the pool), so one per
pool is kept.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
