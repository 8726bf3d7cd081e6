"""trunkline.vsphere."""
