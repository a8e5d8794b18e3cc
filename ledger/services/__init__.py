"""Every write to documents, lines, stock allocation and payments.

Lock order, everywhere: the contact, then documents by id, then stock rows by variation id, then
purchase lines in FIFO order. Every service runs in one database transaction.
"""
