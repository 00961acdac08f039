from flask import Blueprint

bp = Blueprint("deployment", __name__)
