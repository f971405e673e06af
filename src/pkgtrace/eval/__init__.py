"""`pkgtrace eval`: run pkgtrace over a labelled corpus and measure detection and false positives."""
