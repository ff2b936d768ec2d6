"""A Tkinter Celsius to Fahrenheit converter."""
import sys
import tkinter as tk


def to_fahrenheit(celsius):
    """Return celsius in Fahrenheit."""
    return celsius * 9 / 5 + 32


def convert_text(text):
    """Return the converted value as text, or 'not a number'."""
    try:
        return "%.1f °F" % to_fahrenheit(float(text))
    except ValueError:
        return "not a number"


def main(argv=None):
    """Open the converter window."""
    root = tk.Tk()
    root.title("Celsius to Fahrenheit")
    entry = tk.Entry(root, width=12)
    entry.pack(padx=20, pady=10)
    result = tk.Label(root, text="")
    tk.Button(root, text="Convert", command=lambda: result.config(text=convert_text(entry.get()))).pack()
    result.pack(padx=20, pady=10)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
