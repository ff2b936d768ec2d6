"""A to-do list kept in todo.json."""
import argparse
import json
import os
import sys

STORE = "todo.json"


def parse_args(argv):
    """Parse the add/list/done subcommands."""
    parser = argparse.ArgumentParser(description="A to-do list.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add")
    add.add_argument("text")
    sub.add_parser("list")
    done = sub.add_parser("done")
    done.add_argument("number", type=int)
    return parser.parse_args(argv)


def load_items():
    """Return the stored items ([] when there is no file)."""
    if not os.path.exists(STORE):
        return []
    with open(STORE, encoding="utf-8") as handle:
        return json.load(handle)


def save_items(items):
    """Write the items to the store."""
    with open(STORE, "w", encoding="utf-8") as handle:
        json.dump(items, handle, indent=2)


def main(argv=None):
    """Run one subcommand."""
    args = parse_args(argv)
    items = load_items()
    if args.command == "add":
        items.append({"text": args.text, "done": False})
        save_items(items)
        print("added %d. %s" % (len(items), args.text))
    elif args.command == "list":
        for number, item in enumerate(items, start=1):
            print("%d. [%s] %s" % (number, "x" if item["done"] else " ", item["text"]))
    else:
        if not 1 <= args.number <= len(items):
            print("no item %d" % args.number, file=sys.stderr)
            return 1
        items[args.number - 1]["done"] = True
        save_items(items)
        print("done: %s" % items[args.number - 1]["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
