"""trunkline.openshift."""
