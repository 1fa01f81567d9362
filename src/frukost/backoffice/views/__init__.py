"""Back-office views: parse, check permission (decorators.member_required), call one service, render.

One module per area; none owns a model or writes through the ORM.
"""
