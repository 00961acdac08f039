from flask import Blueprint

bp = Blueprint("apps", __name__)
