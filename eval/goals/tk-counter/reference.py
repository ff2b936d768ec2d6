"""A Tkinter click counter."""
import sys
import tkinter as tk


class Counter:
    """The counter window: a label and two buttons."""

    def __init__(self, root):
        """Build the widgets."""
        self.value = 0
        self.label = tk.Label(root, text="0", font=("DejaVu Sans", 48))
        self.label.pack(padx=40, pady=20)
        tk.Button(root, text="+1", command=self.increment).pack(side="left", padx=10, pady=10)
        tk.Button(root, text="Reset", command=self.reset).pack(side="right", padx=10, pady=10)

    def increment(self):
        """Add one."""
        self.value += 1
        self.label.config(text=str(self.value))

    def reset(self):
        """Back to zero."""
        self.value = 0
        self.label.config(text="0")


def main(argv=None):
    """Open the window."""
    root = tk.Tk()
    root.title("Counter")
    Counter(root)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
