"""Built-in layout plugins, each registered through the ``zfxxgk.layouts`` entry-point group."""
