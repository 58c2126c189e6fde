"""Caches: bounded, and a value made while its file changed is never kept."""
from handouts.caches import Fingerprints, LRUCache, by_content


def test_a_value_made_while_its_file_changed_is_not_kept(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("old", "utf-8")
    cache = LRUCache(maxsize=8)
    fingerprints = Fingerprints()
    calls = []

    def make_while_saving():
        calls.append(path.read_text("utf-8"))
        if len(calls) == 1:
            path.write_text("new!", "utf-8")      # saved while it is being read
        return calls[-1]

    assert by_content(cache, ("k",), (path,), make_while_saving, fingerprints) == "new!"
    path.write_text("old", "utf-8")               # the edit undone
    assert by_content(cache, ("k",), (path,), lambda: path.read_text("utf-8"),
                      fingerprints) == "old"


def test_the_least_recently_used_entry_goes_first_and_weight_bounds_too():
    cache = LRUCache(maxsize=10, budget=5, weigh=len)
    for key in ("aa", "bb", "cc"):
        cache.put(key, key)
    assert cache.keys() == ["bb", "cc"]          # 6 > 5: the oldest dropped
