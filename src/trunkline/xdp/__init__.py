"""trunkline.xdp."""
