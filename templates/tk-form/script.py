"""Tkinter form: a small window with labelled fields and a Save button that appends entries to a CSV file."""

import csv
import sys
import tkinter as tk
from pathlib import Path
from tkinter import messagebox

FIELDS = ["Name", "Email", "Note"]
SAVE_TO = Path("entries.csv")


def save_entry(values, path):
    """Appends one entry (field name → text) to the CSV file, writing the header first when new."""
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(values)


def build_form(root):
    """Lays out a label and an entry per field plus the Save button; returns the entries by field."""
    root.title("Form")
    entries = {}
    for row, field in enumerate(FIELDS):
        tk.Label(root, text=field).grid(row=row, column=0, sticky="w", padx=8, pady=4)
        entry = tk.Entry(root, width=32)
        entry.grid(row=row, column=1, padx=8, pady=4)
        entries[field] = entry
    button = tk.Button(root, text="Save", command=lambda: on_save(entries))
    button.grid(row=len(FIELDS), column=1, sticky="e", padx=8, pady=8)
    return entries


def on_save(entries):
    """Saves the typed values, clears the fields and confirms."""
    values = {field: entry.get().strip() for field, entry in entries.items()}
    if not values[FIELDS[0]]:
        messagebox.showwarning("Form", f"{FIELDS[0]} is required")
        return
    save_entry(values, SAVE_TO)
    for entry in entries.values():
        entry.delete(0, tk.END)
    messagebox.showinfo("Form", f"Saved to {SAVE_TO}")


def main(argv=None):
    root = tk.Tk()
    build_form(root)
    print("form ready", flush=True)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
