"""After a rejection, a way forward: a new journey linked to the rejected one."""
