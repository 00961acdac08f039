"""What every area's views share."""
