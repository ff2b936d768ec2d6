"""Flatten nested JSON from stdin into dotted keys."""
import json
import sys


def flatten(value, prefix, out):
    """Add every leaf of value to out under its dotted key."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            flatten(item, "%s.%s" % (prefix, key) if prefix else str(key), out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            flatten(item, "%s.%d" % (prefix, index) if prefix else str(index), out)
    else:
        out[prefix] = value
    return out


def main(argv=None):
    """Read JSON, flatten it, print it."""
    data = json.load(sys.stdin)
    print(json.dumps(flatten(data, "", {}), sort_keys=True, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
