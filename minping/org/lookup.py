"""Finding regions by what people type: a name path ("甲区/一街道/一社区"), full or relative to a scope."""

from minping.org.models import Region


class RegionIndex:
    """Regions the actor may use, by their name path ("甲区/一街道/一社区"), full or relative to the scope."""

    SEPARATORS = str.maketrans({">": "/", "\\": "/", "|": "/"})

    def __init__(self, scope: Region | None):
        regions = Region.objects.within(scope) if scope else Region.objects.all()
        names: dict[str, str] = {}
        self.prefixes: list[str] = [""]
        if scope is not None:
            ancestors = "/".join(a.name for a in scope.ancestors())
            if scope.parent_id:
                names[scope.path[:-7]] = ancestors
            self.prefixes = ["", ancestors + "/" if ancestors else "", scope.name_path() + "/"]
        self.by_name: dict[str, tuple[int, str]] = {}
        for pk, path, name in regions.order_by("depth").values_list("pk", "path", "name").iterator(chunk_size=5000):
            parent = names.get(path[:-7])
            full = f"{parent}/{name}" if parent else name
            names[path] = full
            self.by_name[full] = (pk, path)

    @classmethod
    def normalise(cls, value: str) -> str:
        return "/".join(part.strip() for part in value.translate(cls.SEPARATORS).split("/") if part.strip())

    def canonical(self, value: str) -> str | None:
        """The full name path of the region `value` names, trying it as given and relative to the scope."""
        value = self.normalise(value)
        for prefix in self.prefixes:
            if prefix + value in self.by_name:
                return prefix + value
        return None

    def resolve(self, value: str) -> tuple[int, str] | None:
        full = self.canonical(value)
        return self.by_name[full] if full else None

    def name_of(self, region_id: int) -> str:
        if not hasattr(self, "_names"):
            self._names = {pk: full for full, (pk, _path) in self.by_name.items()}
        return self._names.get(region_id, "")

    def example(self) -> str:
        deepest = max(self.by_name.items(), key=lambda item: len(item[1][1]), default=None)
        return deepest[0] if deepest else "某区/某街道/某社区"
